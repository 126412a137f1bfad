/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    // Type checking is done once by `npm run typecheck`; with isolatedModules in tsconfig, ts-jest only transpiles.
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  moduleNameMapper: {
    "^supcon$": "<rootDir>/packages/supcon/src/index.ts",
    "^supcon/schema$": "<rootDir>/packages/supcon/src/schema/index.ts",
    "^supcon-gen$": "<rootDir>/packages/supcon-gen/src/index.ts",
    "^(\\.{1,2}/.*)\\.js$": "$1",
  },
  testTimeout: 30000,
};
