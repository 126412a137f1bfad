/**
 * A node with as many objects as its advert may carry (4,096 paths, the node's own "/" among them) is seen whole by
 * its peers over a real link, and refuses the next object at register() rather than sending an advert its peers
 * would refuse to decode or ignore.
 */
import { Implementation, Interface } from "../../packages/supcon/src/index";
import { Bus } from "../helpers/bus";

const intf = new Interface({ name: "com.example.Sensor", methods: [{ name: "ping" }] });

describe("a node with thousands of objects", () => {
  const bus = new Bus();
  afterAll(() => bus.close());

  it("is seen with all 4,096 paths by a peer, and refuses the 4,097th", async () => {
    const { node: hub, port } = await bus.listening("hub");
    // "/" is the node's own (supcon.Node): 4,095 more paths fill its advert.
    for (let i = 1; i < 4_096; i++) {
      const impl = new Implementation(intf);
      impl.setCallCb("ping", () => ({}));
      hub.register(`/sensors/sensor-${i}`, impl);
    }
    expect(() => hub.register("/sensors/one-more", new Implementation(intf))).toThrow(
      /cannot be advertised: the node's advert would list 4097 paths, more than 4096/,
    );
    const peer = bus.node("peer");
    await peer.connect({ port });
    await peer.waitFor("hub", { path: "/sensors/sensor-4095" });
    expect(Object.keys(peer.nodes()["hub"] ?? {})).toHaveLength(4_096);
    await expect(peer.call("hub", "/sensors/sensor-4095", intf.name, "ping")).resolves.toEqual({});
  });
});
