// The airline desk both simulated agents know (issues 14 and 15): the τ-bench airline domain's
// tools as they are declared to a model (names, argument shapes and which are required; the
// descriptions are our own short ones), its airports, and which tools write to the booking
// database. The whole-trajectory agent (agent.ts) calls a subset of these tools; the simulated
// reasoner's next action (nextaction.ts) plans with them when a conversation declares them.
import type { ToolSpec } from "../core/conversation";

const str = (description: string) => ({ type: "string", description });
const int = (description: string) => ({ type: "integer", description });
const obj = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) => ({ type: "object", properties, required });

const RESERVATION_ID = str("The reservation code, six letters and digits, such as 'ZFA04Y'.");
const USER_ID = str("The user's id, such as 'sara_doe_496'.");
const CABIN = { type: "string", enum: ["basic_economy", "economy", "business"] };
const FLIGHT_SEGMENTS = {
  type: "array",
  description: "Every flight segment of the (new) reservation, each with its number and date.",
  items: obj({ flight_number: str("The flight number, such as 'HAT001'."), date: str("The date, YYYY-MM-DD.") }),
};
const PASSENGERS = {
  type: "array",
  description: "The passengers, each with first and last name and date of birth.",
  items: obj({ first_name: str("First name."), last_name: str("Last name."), dob: str("Date of birth, YYYY-MM-DD.") }),
};
const PAYMENT_ID = str("A payment method id from the user's profile, such as 'credit_card_7815826', 'gift_card_7815826' or 'certificate_7815826'.");
const SEARCH = obj({ origin: str("The origin airport's IATA code, such as 'JFK'."), destination: str("The destination airport's IATA code, such as 'SFO'."), date: str("The date, YYYY-MM-DD.") });

/** The τ-bench airline tools, as a conversation declares them. */
export const TAU_AIRLINE_TOOLS: readonly ToolSpec[] = [
  { name: "get_user_details", description: "Look up a user's profile: name, date of birth, payment methods, membership and reservations.", inputSchema: obj({ user_id: USER_ID }) },
  { name: "get_reservation_details", description: "Look up a reservation: its user, route, cabin, flights, passengers, payments, baggage and insurance.", inputSchema: obj({ reservation_id: RESERVATION_ID }) },
  { name: "search_direct_flight", description: "Search direct flights between two airports on a date.", inputSchema: SEARCH },
  { name: "search_onestop_flight", description: "Search flights with one stop between two airports on a date.", inputSchema: SEARCH },
  { name: "list_all_airports", description: "List every airport the airline serves, with its city.", inputSchema: obj({}) },
  {
    name: "book_reservation",
    description: "Book a new reservation.",
    inputSchema: obj({
      user_id: USER_ID,
      origin: str("The origin airport's IATA code."),
      destination: str("The destination airport's IATA code."),
      flight_type: { type: "string", enum: ["one_way", "round_trip"] },
      cabin: CABIN,
      flights: FLIGHT_SEGMENTS,
      passengers: PASSENGERS,
      payment_methods: {
        type: "array",
        description: "How it is paid: payment method ids from the user's profile and the amount from each.",
        items: obj({ payment_id: PAYMENT_ID, amount: { type: "number", description: "The amount paid with it." } }),
      },
      total_baggages: int("The number of checked bags."),
      nonfree_baggages: int("How many of them are paid for."),
      insurance: { type: "string", enum: ["yes", "no"] },
    }),
  },
  { name: "cancel_reservation", description: "Cancel a whole reservation.", inputSchema: obj({ reservation_id: RESERVATION_ID }) },
  {
    name: "update_reservation_flights",
    description: "Change the flights (or the cabin) of a reservation; every segment of the new reservation is listed, changed or not.",
    inputSchema: obj({ reservation_id: RESERVATION_ID, cabin: CABIN, flights: FLIGHT_SEGMENTS, payment_id: PAYMENT_ID }),
  },
  { name: "update_reservation_passengers", description: "Change the passengers of a reservation (their number stays the same).", inputSchema: obj({ reservation_id: RESERVATION_ID, passengers: PASSENGERS }) },
  {
    name: "update_reservation_baggages",
    description: "Change the checked bags of a reservation.",
    inputSchema: obj({ reservation_id: RESERVATION_ID, total_baggages: int("The new number of checked bags."), nonfree_baggages: int("How many of them are paid for."), payment_id: PAYMENT_ID }),
  },
  { name: "send_certificate", description: "Send a user a travel certificate as compensation.", inputSchema: obj({ user_id: USER_ID, amount: { type: "number", description: "The certificate's value in dollars." } }) },
  { name: "transfer_to_human_agents", description: "Hand the conversation to a human agent, with a summary of the user's issue.", inputSchema: obj({ summary: str("A summary of the user's issue.") }) },
  { name: "calculate", description: "Work out an arithmetic expression.", inputSchema: obj({ expression: str("The expression, such as '2 * 188 + 30'.") }) },
  { name: "think", description: "Think something through; changes nothing.", inputSchema: obj({ thought: str("The thought.") }) },
];

/** The airports of the τ-bench airline domain, with the city names a customer uses for them. */
export const AIRPORTS: Readonly<Record<string, readonly string[]>> = {
  ATL: ["atlanta"],
  BOS: ["boston"],
  CLT: ["charlotte"],
  DEN: ["denver"],
  DFW: ["dallas", "fort worth"],
  DTW: ["detroit"],
  EWR: ["newark"],
  IAH: ["houston"],
  JFK: ["new york", "nyc"],
  LAS: ["las vegas", "vegas"],
  LAX: ["los angeles"],
  LGA: ["laguardia"],
  MCO: ["orlando"],
  MIA: ["miami"],
  MSP: ["minneapolis"],
  ORD: ["chicago"],
  PHL: ["philadelphia"],
  PHX: ["phoenix"],
  SEA: ["seattle"],
  SFO: ["san francisco"],
};

/**
 * Whether a tool changes the booking database (books, cancels, updates, sends): a task's outcome
 * is its last such call, and a careful agent asks the customer before making one. Lookups,
 * searches, listing, thinking, arithmetic and a transfer change nothing.
 */
export function writesDatabase(name: string): boolean {
  return /^(book|cancel|update|send|create|delete|modify|add|remove|set)_/.test(name);
}
