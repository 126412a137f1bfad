/**
 * The gRPC peer's service, loaded at run time from echo.proto with @grpc/proto-loader (as in
 * shared/bench-peers/peers/grpc/proto.js): bench.Bench/Echo(name string, seconds double) -> (ok bool).
 */
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { benchDir } from "../../lib/common.js";

export { grpc };

export interface EchoRequestPb {
  name: string;
  seconds: number;
}

export interface EchoReplyPb {
  ok: boolean;
}

/** The generated client class's shape, as far as the benchmark uses it. */
export interface BenchServiceClient extends grpc.Client {
  Echo(
    request: EchoRequestPb,
    callback: (err: grpc.ServiceError | null, reply: EchoReplyPb) => void,
  ): unknown;
}

export interface BenchServiceCtor {
  new (address: string, credentials: grpc.ChannelCredentials): BenchServiceClient;
  service: grpc.ServiceDefinition;
}

const definition = protoLoader.loadSync(path.join(benchDir(), "peers", "grpc", "echo.proto"), {
  keepCase: true,
  defaults: true,
});
const pkg = grpc.loadPackageDefinition(definition) as unknown as { bench: { Bench: BenchServiceCtor } };

export const Bench: BenchServiceCtor = pkg.bench.Bench;
