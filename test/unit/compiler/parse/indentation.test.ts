import { parseSource, syntaxDiagnostics } from "../../../../packages/supcon-gen/src/parse/parse-yaml.js";
import { formatDiagnostic } from "../../../../packages/supcon-gen/src/diagnostics.js";

/** The syntax diagnostics of `text` as the CLI prints them. */
function diagnose(text: string): string[] {
  return parseSource({ path: "f.yaml", text }).flatMap((doc) => syntaxDiagnostics(doc).map(formatDiagnostic));
}

describe("indentation mistakes", () => {
  it("are reported at the mis-indented key, not at column 1, with the columns that fit", () => {
    const text = "name: a.B\nmethods:\n  - name: add\n    inArgs:\n      - name: timer\n     type: string\n";
    expect(diagnose(text)).toEqual([
      "f.yaml:6:6: error: YAML: wrong indentation of 'type' at column 6 (all mapping items must start at the same " +
        "column); indent it to column 9, as 'name' on line 5, or to column 5, as 'inArgs' on line 4",
    ]);
  });

  it("say the same of a file with CRLF line ends, and skip comment lines and blank lines above", () => {
    const text =
      "name: a.B\r\nmethods:\r\n  - name: add\r\n    inArgs:\r\n      x: (int) - y\r\n\r\n      # z\r\n     z: (int) - w\r\n";
    expect(diagnose(text)).toEqual([
      "f.yaml:8:6: error: YAML: wrong indentation of 'z' at column 6 (all mapping items must start at the same " +
        "column); indent it to column 7, as 'x' on line 5, or to column 5, as 'inArgs' on line 4",
    ]);
  });

  it("report a key indented too deep once, at the key, instead of two errors at the value before it", () => {
    const text = 'name: a.B\nmethods:\n  - "name": add\n      description: x\n';
    expect(diagnose(text)).toEqual([
      "f.yaml:4:7: error: YAML: wrong indentation: 'description' is indented deeper than 'name' on line 3, so " +
        "YAML reads it as part of the value of 'name'; indent it to column 5, as 'name'",
    ]);
  });

  it("report a misaligned sequence item with the column of the items above", () => {
    const text = "name: a.B\nmethods:\n  - name: add\n   - name: list\n";
    expect(diagnose(text)).toEqual([
      "f.yaml:4:4: error: YAML: wrong indentation of the item at column 4 (all sequence items must start at the " +
        "same column); indent it to column 3, as the item on line 3",
    ]);
  });

  it("leave other syntax errors as the parser says them", () => {
    const text =
      "name: a.B\nmethods:\n  - name: add\n    inArgs: [ { name: timer, type: string }\n  - name: list\n";
    expect(diagnose(text)).toEqual([
      "f.yaml:5:3: error: YAML: flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
  });
});
