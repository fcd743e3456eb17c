#!/usr/bin/env python3
"""Ask MrcGrpc a Korean question from Python: Retrieve passages, then Read the answer.

Uses only grpcio, protobuf and the .proto files in protos/ (compiled here with protoc), so it
shows what any Python program needs to call the services:

    python3 clients/python/mrc_client.py --retriever 127.0.0.1:5101 --reader 127.0.0.1:5201 "대한민국의 수도는?"

Prints one JSON object: the passages retrieved and the answers read, best first.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import grpc

PROTOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "protos")


def compile_messages():
    """Generates retriever_pb2 / reader_pb2 (and the google.api HTTP annotations they import) with protoc and imports them."""
    out = tempfile.mkdtemp(prefix="mrc-protos-")
    subprocess.run(
        ["protoc", f"-I{PROTOS}", f"--python_out={out}",
         "google/api/http.proto", "google/api/annotations.proto", "mrc/v1/retriever.proto", "mrc/v1/reader.proto"],
        check=True,
    )
    sys.path.insert(0, out)
    from mrc.v1 import reader_pb2, retriever_pb2  # noqa: E402  (generated just above)

    return retriever_pb2, reader_pb2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("question")
    parser.add_argument("--retriever", default="127.0.0.1:5101", help="host:port of the Retriever gRPC endpoint")
    parser.add_argument("--reader", default="127.0.0.1:5201", help="host:port of the Reader gRPC endpoint")
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("--model", default="", help="reader model name (empty: the server's default)")
    parser.add_argument("--timeout", type=float, default=30.0, help="deadline of each call in seconds")
    args = parser.parse_args()

    retriever_pb2, reader_pb2 = compile_messages()

    with grpc.insecure_channel(args.retriever) as channel:
        retrieve = channel.unary_unary(
            "/mrc.v1.Retriever/Retrieve",
            request_serializer=retriever_pb2.RetrieveRequest.SerializeToString,
            response_deserializer=retriever_pb2.RetrieveResponse.FromString,
        )
        retrieved = retrieve(retriever_pb2.RetrieveRequest(query=args.question, top_k=args.top_k), timeout=args.timeout)

    passages = [
        reader_pb2.ReadPassage(id=p.id, title=p.title, text=p.text, retriever_score=p.score)
        for p in retrieved.passages
    ]
    with grpc.insecure_channel(args.reader) as channel:
        read = channel.unary_unary(
            "/mrc.v1.Reader/Read",
            request_serializer=reader_pb2.ReadRequest.SerializeToString,
            response_deserializer=reader_pb2.ReadResponse.FromString,
        )
        answer = read(reader_pb2.ReadRequest(question=args.question, passages=passages, model=args.model), timeout=args.timeout)

    print(json.dumps({
        "question": args.question,
        "passages": [{"id": p.id, "title": p.title, "score": p.score, "rank": p.rank} for p in retrieved.passages],
        "model": answer.model,
        "version": answer.version,
        "answers": [
            {"text": a.text, "score": a.score, "probability": a.probability, "passage_id": a.passage_id}
            for a in answer.answers
        ],
    }, ensure_ascii=False))


if __name__ == "__main__":
    try:
        main()
    except grpc.RpcError as error:
        print(f"error: {error.code().name}: {error.details()}", file=sys.stderr)
        sys.exit(1)
