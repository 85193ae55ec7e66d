// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "out/**", "node_modules/**", ".hotmess/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    // The layering rule of ARCHITECTURE.md: core is pure and knows nothing of the editor,
    // the network or the file system, and imports nothing else of the project.
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["vscode", "node:*", "fs", "path", "http", "https", "net", "child_process", "os"], message: "src/core is pure: no VS Code, I/O or network." },
            { group: ["../*"], message: "src/core imports nothing else of the project." },
          ],
        },
      ],
    },
  },
);
