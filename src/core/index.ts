// The pure analysis engine: no VS Code, no I/O, no network.
export * from "./types";
export * from "./answers";
export * from "./metrics";
export * from "./bootstrap";
export * from "./segment";
export * from "./features";
export * from "./align";
export * from "./traceset";
export * from "./analyze";
export * from "./reliability";
export * from "./runfile";
export * from "./runanalysis";
export * from "./optimizer";
export * from "./promptfile";
export * from "./redact";
export * from "./runstate";
export * from "./lead";
