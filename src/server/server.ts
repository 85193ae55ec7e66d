// The Hot Mess language server (bundled as dist/server.js): code lenses, inlay hints, hovers and
// diagnostics for prompt files, from the run store of each workspace folder. VS Code starts it
// over node IPC (`--node-ipc`); any other LSP editor can run `node dist/server.js --stdio`.
import { createConnection } from "vscode-languageserver/node";
import { SERVER_NAME, SERVER_VERSION, startServer } from "./session";

const USAGE = `${SERVER_NAME} ${SERVER_VERSION}: code lenses, inlay hints, hovers and diagnostics for Hot Mess prompt files

usage: node dist/server.js --stdio | --node-ipc | --socket=PORT | --pipe=NAME [--clientProcessId=PID]

Runs are read from each workspace folder's run store (hotmess.runDirectory, default .hotmess/runs),
asked of the client with workspace/configuration (section "hotmess") or given as
initializationOptions {settings: {n, incoherenceWarningThreshold, runDirectory}}.
`;

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(USAGE);
  process.exit(0);
} else if (args.includes("--version")) {
  process.stdout.write(`${SERVER_VERSION}\n`);
  process.exit(0);
} else if (!args.some((a) => a === "--stdio" || a === "--node-ipc" || /^--(socket|pipe)(=|$)/.test(a))) {
  process.stderr.write(`${SERVER_NAME}: say how to talk to the editor\n\n${USAGE}`);
  process.exit(2);
} else {
  startServer(createConnection());
}
