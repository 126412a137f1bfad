import {
  checkArbitraryBytes,
  checkBudgetAgreement,
  checkHostileMsgpack,
  checkRoundTrip,
} from "../../helpers/wire-properties";

/**
 * Property-based tests of frames + codec + messages. A few hundred runs each keep CI fast; set FUZZ_RUNS (and
 * optionally FUZZ_SEED) to fuzz: `FUZZ_RUNS=100000 npx jest test/unit/wire/properties`.
 */
const runs = (ciRuns: number): number =>
  process.env["FUZZ_RUNS"] ? Number(process.env["FUZZ_RUNS"]) : ciRuns;
const seed = process.env["FUZZ_SEED"] ? Number(process.env["FUZZ_SEED"]) : undefined;
const timeout = process.env["FUZZ_RUNS"] ? 24 * 3600_000 : 30_000;

describe("wire properties", () => {
  it(
    "any sequence of messages, split anywhere, decodes to the same messages",
    () => {
      checkRoundTrip(runs(500), seed);
    },
    timeout,
  );

  it(
    "arbitrary bytes yield frames, protocol errors or one framing error, never a throw",
    () => {
      checkArbitraryBytes(runs(1500), seed);
    },
    timeout,
  );

  it(
    "whatever msgpackr encodes with every extension on decodes to plain data or a protocol error",
    () => {
      checkHostileMsgpack(runs(500), seed);
    },
    timeout,
  );

  it(
    "a message near the decoding budget is refused by the writer or read back whole by the reader",
    () => {
      // Each run packs and reads some 40,000 objects: a hundredth of the runs asked for when fuzzing.
      checkBudgetAgreement(process.env["FUZZ_RUNS"] ? Math.ceil(runs(20) / 100) : 20, seed);
    },
    timeout,
  );
});
