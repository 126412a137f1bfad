import type { Diagnostic } from "../../../packages/supcon-gen/src/diagnostics.js";
import {
  didYouMean,
  error,
  formatDiagnostic,
  hasErrors,
  sortDiagnostics,
  warning,
} from "../../../packages/supcon-gen/src/diagnostics.js";

const at = (file: string, line: number, col: number) => ({ file, line, col });

describe("formatDiagnostic()", () => {
  it("prints file:line:col: severity: message", () => {
    expect(formatDiagnostic(error(at("interfaces/a.yaml", 3, 7), "unknown type 'flaot'"))).toBe(
      "interfaces/a.yaml:3:7: error: unknown type 'flaot'",
    );
    expect(formatDiagnostic(warning(at("a.yaml", 1, 1), "no type"))).toBe("a.yaml:1:1: warning: no type");
  });

  it("prints only the file for a diagnostic about a whole file", () => {
    expect(formatDiagnostic(error(at("missing", 0, 0), "no such file or folder"))).toBe(
      "missing: error: no such file or folder",
    );
  });
});

describe("sortDiagnostics()", () => {
  it("sorts by file, line and column, and drops exact duplicates", () => {
    const ds: Diagnostic[] = [
      error(at("b.yaml", 1, 1), "x"),
      error(at("a.yaml", 10, 1), "y"),
      error(at("a.yaml", 2, 5), "z"),
      error(at("a.yaml", 2, 3), "w"),
      error(at("a.yaml", 2, 3), "w"),
    ];
    expect(sortDiagnostics(ds).map(formatDiagnostic)).toEqual([
      "a.yaml:2:3: error: w",
      "a.yaml:2:5: error: z",
      "a.yaml:10:1: error: y",
      "b.yaml:1:1: error: x",
    ]);
  });
});

describe("hasErrors()", () => {
  it("is false for warnings only", () => {
    expect(hasErrors([warning(at("a", 1, 1), "w")])).toBe(false);
    expect(hasErrors([warning(at("a", 1, 1), "w"), error(at("a", 1, 1), "e")])).toBe(true);
  });
});

describe("didYouMean()", () => {
  const types = ["string", "float", "int", "bool", "bytes", "any", "TimerInfo"];

  it("suggests a close name (runtime edit distance)", () => {
    expect(didYouMean("strng", types)).toBe(" (did you mean 'string'?)");
    expect(didYouMean("TimerInf", types)).toBe(" (did you mean 'TimerInfo'?)");
    expect(didYouMean("Float", types)).toBe(" (did you mean 'float'?)");
  });

  it("suggests a name with two neighbouring letters swapped", () => {
    expect(didYouMean("flaot", types)).toBe(" (did you mean 'float'?)");
    expect(didYouMean("descripiton", ["name", "description"])).toBe(" (did you mean 'description'?)");
  });

  it("suggests nothing for an unrelated name", () => {
    expect(didYouMean("Unknown", types)).toBe("");
    expect(didYouMean("x", [])).toBe("");
  });
});
