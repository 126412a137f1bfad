import { IdTable } from "../../../packages/supcon/src/dispatch/id-table";

function add(table: IdTable<string>, id: number): boolean {
  if (!table.isFree(id)) return false;
  table.add(id, `v${id}`);
  return true;
}

describe("IdTable", () => {
  it("finds entries by id, and forgets them on delete", () => {
    const table = new IdTable<string>();
    expect(add(table, 1)).toBe(true);
    expect(add(table, 2)).toBe(true);
    expect(table.get(1)).toBe("v1");
    expect(table.get(3)).toBeUndefined();
    expect(table.delete(1)).toBe("v1");
    expect(table.delete(1)).toBeUndefined();
    expect(table.get(1)).toBeUndefined();
    expect(table.size).toBe(1);
  });

  it("tells apart ids that share their low bits, and reports the slot taken", () => {
    const table = new IdTable<string>();
    expect(add(table, 5)).toBe(true);
    expect(add(table, 5 + 64)).toBe(false);
    expect(table.get(5 + 64)).toBeUndefined();
    expect(table.delete(5 + 64)).toBeUndefined();
    expect(table.get(5)).toBe("v5");
  });

  it("grows to hold many entries and keeps every one, then shrinks back when it empties", () => {
    const table = new IdTable<string>();
    const ids: number[] = [];
    for (let id = 1; ids.length < 5_000; id += 3) if (add(table, id)) ids.push(id);
    expect(table.size).toBe(5_000);
    for (const id of ids) expect(table.get(id)).toBe(`v${id}`);
    expect(table.values()).toHaveLength(5_000);
    for (const id of ids) table.delete(id);
    expect(table.size).toBe(0);
    expect(table.values()).toEqual([]);
    expect(add(table, 7)).toBe(true);
    expect(table.get(7)).toBe("v7");
  });

  it("works with ids above 2^31", () => {
    const table = new IdTable<string>();
    const id = 0xffff_fff0;
    expect(add(table, id)).toBe(true);
    expect(table.get(id)).toBe(`v${id}`);
    expect(table.delete(id)).toBe(`v${id}`);
  });
});
