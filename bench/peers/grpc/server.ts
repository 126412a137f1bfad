/** gRPC unary server (shared/bench-peers/peers/grpc/server.js). */
import { die, exitOnSigterm, say } from "../../lib/common.js";
import type { EchoReplyPb, EchoRequestPb } from "./proto.js";
import { Bench, grpc } from "./proto.js";

const server = new grpc.Server();
server.addService(Bench.service, {
  Echo: (
    call: grpc.ServerUnaryCall<EchoRequestPb, EchoReplyPb>,
    cb: grpc.sendUnaryData<EchoReplyPb>,
  ): void => {
    if (typeof call.request.name !== "string") {
      cb(new Error("bad request"));
      return;
    }
    cb(null, { ok: true });
  },
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err !== null) die(err);
  say("READY", { port });
});
exitOnSigterm();
