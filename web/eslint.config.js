// ESLint (flat config): `npm run lint`, run by `make web-test` and so by `make test`.
//
// - TypeScript (src/, vite.config.ts): typescript-eslint's type-aware recommended rules
//   (the project service reads tsconfig.app.json / tsconfig.node.json), plus React hooks'
//   recommended rules (rules of hooks, exhaustive deps and the React Compiler checks).
// - Node scripts (scripts/*.mjs): ESLint's recommended rules.
// - Not linted: the build (dist/) and the generated API types (src/api/schema.d.ts).
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["dist/", "node_modules/", "src/api/schema.d.ts"] },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // as tsc's noUnusedParameters: a leading underscore marks a parameter unused on
      // purpose (a fake's signature); `const { [key]: _dropped, ...rest }` omits a key
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    extends: [reactHooks.configs.flat.recommended],
  },
  {
    files: ["**/*.{js,mjs}"],
    extends: [js.configs.recommended],
    languageOptions: {
      globals: {
        console: "readonly",
        process: "readonly",
        URL: "readonly",
      },
    },
  },
);
