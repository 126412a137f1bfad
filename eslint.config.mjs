import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The runtime's layers, lowest first (docs/ARCHITECTURE.md). A module may import its own layer and the layers
 * below it, never one above: the rule below fails on an upward import.
 */
const RUNTIME_LAYERS = ["base", "wire", "schema", "transport", "link", "routing", "dispatch", "bus", "api"];

/** One config per layer that forbids importing the layers above it (and the package entry points). */
function layerRules() {
  return RUNTIME_LAYERS.slice(0, -1).map((layer, i) => {
    const above = RUNTIME_LAYERS.slice(i + 1);
    return {
      files: [`packages/supcon/src/${layer}/**/*.ts`],
      rules: {
        "no-restricted-imports": [
          "error",
          {
            patterns: [
              {
                regex: `^\\.\\./(${above.join("|")}|generated)/|^\\.\\./(index|core)\\.js$`,
                message: `${layer}/ is below ${above.join(", ")}: it may import only ${RUNTIME_LAYERS.slice(0, i + 1).join(", ")} (docs/ARCHITECTURE.md).`,
              },
            ],
          },
        ],
      },
    };
  });
}

export default tseslint.config(
  {
    ignores: [
      "dist/",
      "packages/*/dist/",
      "node_modules/",
      "generated/",
      "packages/supcon/src/generated/",
      "bench/generated/",
      "bench/out/",
      "coverage/",
      "test/golden/*/expected/",
      "**/*.js",
      "**/*.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  ...layerRules(),
);
