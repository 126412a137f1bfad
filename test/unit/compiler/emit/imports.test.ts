import * as fs from "node:fs";
import * as path from "node:path";
import { code, createModuleImports } from "../../../../packages/supcon-gen/src/emit/imports.js";
import type { RuntimeSymbol } from "../../../../packages/supcon-gen/src/emit/view-model.js";

const runtime = (name: string) => ({ name, from: "supcon" });

describe("createModuleImports()", () => {
  it("imports only what was printed", () => {
    const imports = createModuleImports({ first: "supcon", declared: [] });
    const node = imports.type(runtime("Node"));
    imports.type(runtime("CallOptions"));
    expect(imports.declarations()).toEqual([]);
    expect(`${node}`).toBe("Node");
    expect(imports.declarations()).toEqual([{ keyword: "import type", names: ["Node"], from: "supcon" }]);
  });

  it("imports a symbol printed as a value with `import`, even if it is also printed as a type", () => {
    const imports = createModuleImports({ first: "supcon", declared: [] });
    expect(
      String(
        code`const x: ${imports.type(runtime("Interface"))} = new ${imports.value(runtime("Interface"))}();`,
      ),
    ).toBe("const x: Interface = new Interface();");
    expect(imports.declarations()).toEqual([{ keyword: "import", names: ["Interface"], from: "supcon" }]);
  });

  it("puts the first module first, then the others by specifier, types before values, names sorted", () => {
    const imports = createModuleImports({ first: "../core.js", declared: [] });
    const point = imports.type({ name: "Point", from: "./b.js" });
    const area = imports.type({ name: "Area", from: "./a.js" });
    const x = imports.value(runtime("X"));
    const client = imports.value({ name: "Client", from: "../core.js" });
    const node = imports.type({ name: "Node", from: "../core.js" });
    const options = imports.type({ name: "CallOptions", from: "../core.js" });
    const printed = code`${point} ${area} ${x} ${client} ${node} ${options}`;
    expect(printed.toString()).toBe("Point Area X Client Node CallOptions");
    expect(imports.declarations()).toEqual([
      { keyword: "import type", names: ["CallOptions", "Node"], from: "../core.js" },
      { keyword: "import", names: ["Client"], from: "../core.js" },
      { keyword: "import type", names: ["Area"], from: "./a.js" },
      { keyword: "import type", names: ["Point"], from: "./b.js" },
      { keyword: "import", names: ["X"], from: "supcon" },
    ]);
  });

  it("aliases a symbol whose name the module declares or another import took", () => {
    const imports = createModuleImports({ first: "supcon", declared: ["Node", "Node$1"] });
    expect(`${imports.type({ name: "Point", from: "./geo.js" })} ${imports.type(runtime("Point"))}`).toBe(
      "Point Point$1",
    );
    expect(`${imports.type(runtime("Node"))} ${imports.type(runtime("Node"))}`).toBe("Node$2 Node$2");
    expect(imports.declarations()).toEqual([
      { keyword: "import type", names: ["Node as Node$2", "Point as Point$1"], from: "supcon" },
      { keyword: "import type", names: ["Point"], from: "./geo.js" },
    ]);
  });
});

describe("templates", () => {
  it("print no runtime symbol themselves (the view model prints them, so that they are imported)", () => {
    const symbols: Record<RuntimeSymbol, true> = {
      CallContext: true,
      CallOptions: true,
      Client: true,
      Implementation: true,
      Interface: true,
      Node: true,
      RemoteError: true,
      RemoteErrorOptions: true,
    };
    const dir = path.resolve(__dirname, "../../../../packages/supcon-gen/templates");
    const files = ["interface.ts.hbs", "interface-body.ts.hbs", "index.ts.hbs"].concat(
      fs.readdirSync(path.join(dir, "partials")).map((f) => path.join("partials", f)),
    );
    for (const file of files) {
      // Outside {{...}}: what a template prints literally.
      const literal = fs.readFileSync(path.join(dir, file), "utf8").replace(/\{\{[^}]*\}\}/g, " ");
      for (const name of Object.keys(symbols))
        expect({ file, name, found: new RegExp(`\\b${name}\\b`).test(literal) }).toEqual({
          file,
          name,
          found: false,
        });
    }
  });
});
