import { encodeMessage } from "../../../packages/supcon/src/wire/codec";
import { WireError, WireErrorCode } from "../../../packages/supcon/src/wire/errors";
import type { Message } from "../../../packages/supcon/src/wire/messages";
import { checkNames } from "../../../packages/supcon/src/wire/message-names";
import { parseMessage, toWire } from "../../../packages/supcon/src/wire/message-arrays";
import {
  MessageType,
  NameLimit,
  PROTOCOL_VERSION,
  messageTypeName,
} from "../../../packages/supcon/src/wire/messages";

const routed = { dst: "server", src: "client", hops: 2 };

/** One message of every type, with the wire array docs/PROTOCOL.md gives for it. */
const examples: [Message, unknown[]][] = [
  [
    { type: MessageType.Hello, version: PROTOCOL_VERSION, name: "n", info: { instance: "x" } },
    [0, PROTOCOL_VERSION, "n", { instance: "x" }],
  ],
  [{ type: MessageType.Refuse, code: "supcon.NameTaken", message: "m" }, [1, "supcon.NameTaken", "m"]],
  [
    { type: MessageType.Challenge, nonce: new Uint8Array([1, 2]), proof: new Uint8Array([3]) },
    [2, new Uint8Array([1, 2]), new Uint8Array([3])],
  ],
  [
    { type: MessageType.Auth, name: "client", proof: new Uint8Array([3]), info: {} },
    [3, "client", new Uint8Array([3]), {}],
  ],
  [
    {
      type: MessageType.Call,
      ...routed,
      id: 5,
      path: "/p",
      intf: "com.example.Timer",
      method: "add",
      args: { a: 1 },
      timeoutMs: 100,
    },
    [10, "server", "client", 2, 5, "/p", "com.example.Timer", "add", { a: 1 }, 100, null],
  ],
  [{ type: MessageType.Result, ...routed, id: 5, out: null }, [11, "server", "client", 2, 5, null, null]],
  [
    { type: MessageType.Error, ...routed, id: 5, code: "c", message: "m", data: [1, { x: 2 }] },
    [12, "server", "client", 2, 5, "c", "m", [1, { x: 2 }], null],
  ],
  [{ type: MessageType.Cancel, ...routed, id: 5 }, [13, "server", "client", 2, 5, null]],
  [
    { type: MessageType.Event, ...routed, path: "/p", intf: "i", event: "timeout", args: null, seq: 1 },
    [20, "server", "client", 2, "/p", "i", "timeout", null, 1, null],
  ],
  [
    { type: MessageType.Subscribe, ...routed, path: "/p", intf: "i", event: "e" },
    [21, "server", "client", 2, "/p", "i", "e", null],
  ],
  [
    { type: MessageType.Unsubscribe, ...routed, path: "/p", intf: "i", event: "e" },
    [22, "server", "client", 2, "/p", "i", "e", null],
  ],
  [
    {
      type: MessageType.Advert,
      origin: "o",
      instance: "abc",
      seq: 3,
      neighbors: ["a", "b"],
      objects: { "/": ["supcon.Node"], "/t": [] },
    },
    [30, "o", "abc", 3, ["a", "b"], { "/": ["supcon.Node"], "/t": [] }, null],
  ],
  [{ type: MessageType.Ping }, [40]],
  [{ type: MessageType.Pong }, [41]],
  [{ type: MessageType.Bye, code: "supcon.Closed", message: "bye" }, [42, "supcon.Closed", "bye"]],
  [
    {
      type: MessageType.Bind,
      channel: 7,
      dst: "server",
      src: "client",
      path: "/p",
      intf: "i",
      member: "add",
    },
    [43, 7, "server", "client", "/p", "i", "add"],
  ],
];

/** Channel messages are read by LinkReader (test/unit/wire/link-codec.test.ts), not by parseMessage(). */
const CHANNEL_TYPES: readonly number[] = [
  MessageType.ChannelCall,
  MessageType.ChannelResult,
  MessageType.ChannelEvent,
];

describe("toWire() and parseMessage()", () => {
  it.each(examples.map(([m, w]) => [messageTypeName(m.type), m, w] as const))(
    "convert %s to its wire array and back",
    (_, message, wire) => {
      expect(toWire(message)).toEqual(wire);
      expect(parseMessage(wire)).toEqual(message);
    },
  );

  it("covers every message type", () => {
    expect(new Set(examples.map(([m]) => m.type))).toEqual(
      new Set(Object.values(MessageType).filter((t) => !CHANNEL_TYPES.includes(t))),
    );
  });
});

describe("parseMessage()", () => {
  it.each<[string, unknown, string]>([
    ["not an array", { 0: 40 }, "a message must be an array, got a map"],
    ["nil", null, "a message must be an array, got nil"],
    ["empty", [], "empty message array"],
    ["a string type", ["CALL"], "message type must be an unsigned integer, got a string"],
    ["a float type", [10.5], "message type must be an unsigned integer, got the number 10.5"],
    ["an unknown type", [7], "unknown message type 7"],
    [
      "a channel message",
      [14, 0, 0, 1, 100, null],
      "CHANNEL CALL is read against the link's channels (LinkReader), not as a message by itself",
    ],
    [
      "a BIND with a numeric name",
      [43, 1, "a", "b", "/", 5, "m"],
      "BIND: intf (element 5) must be a string, got the number 5",
    ],
    ["too few elements", [10, "a", "b", 0, 1], "CALL must have 11 elements, got 5"],
    ["too many elements", [42, "c", "m", "extra"], "BYE must have 3 elements, got 4"],
    ["a HELLO without info map", [0, 1, "n", []], "HELLO: info (element 3) must be a map, got an array"],
    ["a HELLO with a nil info", [0, 1, "n", null], "HELLO: info (element 3) must be a map, got nil"],
    [
      "a HELLO with a float version",
      [0, 1.5, "n", {}],
      "HELLO: version (element 1) must be an unsigned integer, got the number 1.5",
    ],
    [
      "a REFUSE with a numeric code",
      [1, 5, "m"],
      "REFUSE: code (element 1) must be a string, got the number 5",
    ],
    [
      "a CALL with a negative hops",
      [10, "a", "b", -1, 1, "/", "i", "m", null, 5, null],
      "CALL: hops (element 3) must be an unsigned integer, got the number -1",
    ],
    [
      "a CALL with an unsafe id",
      [10, "a", "b", 0, 2 ** 53, "/", "i", "m", null, 5, null],
      "CALL: id (element 4) must be an unsigned integer, got the number 9007199254740992",
    ],
    [
      "a CALL with array args",
      [10, "a", "b", 0, 1, "/", "i", "m", [1], 5, null],
      "CALL: args (element 8) must be a map or nil, got an array",
    ],
    [
      "a CALL with binary args",
      [10, "a", "b", 0, 1, "/", "i", "m", Uint8Array.of(1), 5, null],
      "CALL: args (element 8) must be a map or nil, got binary",
    ],
    [
      "a CALL without timeout",
      [10, "a", "b", 0, 1, "/", "i", "m", null, null, null],
      "CALL: timeoutMs (element 9) must be an unsigned integer, got nil",
    ],
    [
      "a CALL with a numeric dst",
      [10, 1, "b", 0, 1, "/", "i", "m", null, 5, null],
      "CALL: dst (element 1) must be a string, got the number 1",
    ],
    [
      "a RESULT with string out",
      [11, "a", "b", 0, 1, "out", null],
      "RESULT: out (element 5) must be a map or nil, got a string",
    ],
    [
      "an ERROR without message",
      [12, "a", "b", 0, 1, "c", null, null, null],
      "ERROR: message (element 6) must be a string, got nil",
    ],
    [
      "a CANCEL with a string id",
      [13, "a", "b", 0, "1", null],
      "CANCEL: id (element 4) must be an unsigned integer, got a string",
    ],
    [
      "an EVENT without seq",
      [20, "a", "b", 0, "/", "i", "e", null, -1, null],
      "EVENT: seq (element 8) must be an unsigned integer, got the number -1",
    ],
    [
      "a SUBSCRIBE with a nil event",
      [21, "a", "b", 0, "/", "i", null, null],
      "SUBSCRIBE: event (element 6) must be a string, got nil",
    ],
    [
      "an UNSUBSCRIBE with a bool path",
      [22, "a", "b", 0, true, "i", "e", null],
      "UNSUBSCRIBE: path (element 4) must be a string, got a boolean",
    ],
    [
      "an ADVERT with non-string neighbours",
      [30, "o", "i", 1, ["a", 2], {}, null],
      "ADVERT: neighbors (element 4) must be an array of strings, got an array",
    ],
    [
      "an ADVERT without instance",
      [30, "o", null, 1, [], {}, null],
      "ADVERT: instance (element 2) must be a string, got nil",
    ],
    [
      "an ADVERT with a bad objects value",
      [30, "o", "i", 1, [], { "/p": "intf" }, null],
      "ADVERT: objects['/p'] must be an array of strings, got a string",
    ],
    [
      "an ADVERT with objects a list",
      [30, "o", "i", 1, [], [["a"]], null],
      "ADVERT: objects (element 5) must be a map, got an array",
    ],
  ])("refuses %s", (_, value, message) => {
    expect(parseMessage(value)).toBe(message);
  });

  it("accepts maps with a null prototype", () => {
    const args = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(parseMessage([10, "a", "b", 0, 1, "/", "i", "m", args, 5, null])).toMatchObject({
      args: { a: 1 },
    });
  });

  it("refuses objects that are not plain maps", () => {
    expect(parseMessage([0, 1, "n", new Date(0)])).toBe("HELLO: info (element 3) must be a map, got a Date");
    expect(parseMessage([0, 1, "n", new Map()])).toBe("HELLO: info (element 3) must be a map, got a Map");
  });
});

/** The names of each message type and their limits; types absent here carry no names. */
const NAMES: Readonly<Record<number, Readonly<Record<string, number>>>> = {
  [MessageType.Hello]: { name: NameLimit.node },
  [MessageType.Refuse]: { code: NameLimit.code },
  [MessageType.Auth]: { name: NameLimit.node },
  [MessageType.Call]: {
    dst: NameLimit.node,
    src: NameLimit.node,
    path: NameLimit.path,
    intf: NameLimit.interface,
    method: NameLimit.member,
  },
  [MessageType.Result]: { dst: NameLimit.node, src: NameLimit.node },
  [MessageType.Error]: { dst: NameLimit.node, src: NameLimit.node, code: NameLimit.code },
  [MessageType.Cancel]: { dst: NameLimit.node, src: NameLimit.node },
  [MessageType.Event]: {
    dst: NameLimit.node,
    src: NameLimit.node,
    path: NameLimit.path,
    intf: NameLimit.interface,
    event: NameLimit.member,
  },
  [MessageType.Subscribe]: {
    dst: NameLimit.node,
    src: NameLimit.node,
    path: NameLimit.path,
    intf: NameLimit.interface,
    event: NameLimit.member,
  },
  [MessageType.Unsubscribe]: {
    dst: NameLimit.node,
    src: NameLimit.node,
    path: NameLimit.path,
    intf: NameLimit.interface,
    event: NameLimit.member,
  },
  [MessageType.Advert]: { origin: NameLimit.node, instance: NameLimit.instance },
  [MessageType.Bye]: { code: NameLimit.code },
  [MessageType.Bind]: {
    dst: NameLimit.node,
    src: NameLimit.node,
    path: NameLimit.path,
    intf: NameLimit.interface,
    member: NameLimit.member,
  },
};
const NAMELESS: readonly number[] = [MessageType.Challenge, MessageType.Ping, MessageType.Pong];

/** Every name of every message type, too long by one character. */
const tooLong: [string, string, Message, string][] = examples.flatMap(([m]) =>
  Object.entries(NAMES[m.type] ?? {}).map(([field, max]): [string, string, Message, string] => [
    messageTypeName(m.type),
    field,
    { ...m, [field]: "x".repeat(max + 1) } as Message,
    `${field} must be at most ${max} characters long, got ${max + 1}`,
  ]),
);
const advert = examples.find(([m]) => m.type === MessageType.Advert)?.[0] as Message & {
  type: typeof MessageType.Advert;
};
const hello = examples[0]?.[0] as Message & { type: typeof MessageType.Hello };
tooLong.push(
  [
    "HELLO",
    "info.instance",
    { ...hello, info: { instance: "x".repeat(256) } },
    "info.instance must be at most 255 characters long, got 256",
  ],
  [
    "ADVERT",
    "neighbour",
    { ...advert, neighbors: ["a", "x".repeat(256)] },
    "neighbors[1] must be at most 255 characters long, got 256",
  ],
  [
    "ADVERT",
    "path of objects",
    { ...advert, objects: { ["/" + "x".repeat(1024)]: ["i"] } },
    `the path '/${"x".repeat(39)}…' of objects must be at most 1024 characters long, got 1025`,
  ],
  [
    "ADVERT",
    "interface of objects",
    { ...advert, objects: { "/p": ["i", "x".repeat(1025)] } },
    "objects['/p'][1] must be at most 1024 characters long, got 1025",
  ],
);

describe("name limits", () => {
  it("has a rule for every message type", () => {
    for (const type of Object.values(MessageType)) {
      if (CHANNEL_TYPES.includes(type)) continue;
      expect([NAMES[type] !== undefined, NAMELESS.includes(type)]).toContain(true);
    }
  });

  it.each(tooLong)(
    "%s: refuses a %s that is too long, received or sent",
    (name, _field, message, problem) => {
      expect(parseMessage(toWire(message))).toBe(`${name}: ${problem}`);
      expect(checkNames(message)).toBe(problem);
      try {
        encodeMessage(message);
        throw new Error("encoded");
      } catch (err) {
        expect(err).toBeInstanceOf(WireError);
        expect((err as WireError).code).toBe(WireErrorCode.InvalidData);
        expect((err as WireError).message).toBe(`cannot encode ${name} message: ${problem}`);
      }
    },
  );

  it.each(
    examples.filter(([m]) => NAMES[m.type] !== undefined).map(([m]) => [messageTypeName(m.type), m] as const),
  )("%s: accepts every name at its limit", (_, message) => {
    const longest = Object.fromEntries(
      Object.entries(NAMES[message.type] ?? {}).map(([field, max]) => [field, "x".repeat(max)]),
    );
    const m = { ...message, ...longest } as Message;
    expect(parseMessage(toWire(m))).toEqual(m);
  });

  it("bounds what an error message quotes of a name", () => {
    const path = "/" + "p".repeat(100_000);
    const problem = parseMessage([30, "o", "i", 1, [], { [path]: "intf" }, null]) as string;
    expect(problem).toBe(`ADVERT: objects['/${"p".repeat(39)}…'] must be an array of strings, got a string`);
  });
});

describe("messageTypeName()", () => {
  it("names protocol types and numbers others", () => {
    expect(messageTypeName(MessageType.Unsubscribe)).toBe("UNSUBSCRIBE");
    expect(messageTypeName(99)).toBe("type 99");
  });
});
