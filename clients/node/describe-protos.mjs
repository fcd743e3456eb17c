// Loads every service in protos/ with @grpc/proto-loader and prints, as JSON, each service's
// methods with their request/response types and streaming flags. Proves protos/ is
// self-contained for non-.NET tooling.
import { fileURLToPath } from "node:url";
import path from "node:path";
import protoLoader from "@grpc/proto-loader";

const protosRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../protos");
const files = ["mrc/v1/retriever.proto", "mrc/v1/reader.proto", "mrc/v1/model_uploads.proto", "mrc/v1/leaderboard.proto", "mrc/v1/leaderboard_admin.proto"];

const definition = protoLoader.loadSync(files, {
  includeDirs: [protosRoot],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

const services = {};
for (const [name, value] of Object.entries(definition)) {
  if (value.format) continue; // a message or enum type, not a service
  services[name] = Object.fromEntries(
    Object.entries(value).map(([method, m]) => [
      method,
      {
        path: m.path,
        requestType: m.requestType.type.name,
        responseType: m.responseType.type.name,
        requestStream: m.requestStream,
        responseStream: m.responseStream,
      },
    ]),
  );
}
console.log(JSON.stringify(services));
