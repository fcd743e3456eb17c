// Ask MrcGrpc a Korean question from Node.js: Retrieve passages, then Read the answer.
// Uses only @grpc/grpc-js, @grpc/proto-loader and the .proto files in protos/:
//
//   node clients/node/retrieve-and-read.mjs --retriever 127.0.0.1:5101 --reader 127.0.0.1:5201 "대한민국의 수도는?"
//
// Prints one JSON object: the passages retrieved and the answers read, best first.
import { fileURLToPath } from "node:url";
import path from "node:path";
import { parseArgs } from "node:util";
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    retriever: { type: "string", default: "127.0.0.1:5101" },
    reader: { type: "string", default: "127.0.0.1:5201" },
    "top-k": { type: "string", default: "5" },
    model: { type: "string", default: "" },
    timeout: { type: "string", default: "30" },
  },
});
const question = positionals[0];
if (!question) {
  console.error("usage: retrieve-and-read.mjs [--retriever HOST:PORT] [--reader HOST:PORT] QUESTION");
  process.exit(2);
}

const protosRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../protos");
const definition = protoLoader.loadSync(["mrc/v1/retriever.proto", "mrc/v1/reader.proto"], {
  includeDirs: [protosRoot],
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
});
const mrc = grpc.loadPackageDefinition(definition).mrc.v1;

const deadline = () => new Date(Date.now() + Number(values.timeout) * 1000);
const call = (client, method, request) =>
  new Promise((resolve, reject) =>
    client[method](request, { deadline: deadline() }, (error, response) => (error ? reject(error) : resolve(response))),
  );

const retriever = new mrc.Retriever(values.retriever, grpc.credentials.createInsecure());
const reader = new mrc.Reader(values.reader, grpc.credentials.createInsecure());
try {
  const retrieved = await call(retriever, "Retrieve", { query: question, top_k: Number(values["top-k"]) });
  const passages = retrieved.passages.map((p) => ({ id: p.id, title: p.title, text: p.text, retriever_score: p.score }));
  const read = await call(reader, "Read", { question, passages, model: values.model });
  console.log(JSON.stringify({
    question,
    passages: retrieved.passages.map((p) => ({ id: p.id, title: p.title, score: p.score, rank: p.rank })),
    model: read.model,
    version: read.version,
    answers: read.answers.map((a) => ({ text: a.text, score: a.score, probability: a.probability, passage_id: a.passage_id })),
  }));
} catch (error) {
  console.error(`error: ${grpc.status[error.code] ?? error.code}: ${error.details ?? error.message}`);
  process.exitCode = 1;
} finally {
  retriever.close();
  reader.close();
}
