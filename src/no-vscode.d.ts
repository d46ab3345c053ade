// What `vscode` is to the layers that must not use it (all but src/extension and the tests): a
// module with nothing in it. Their tsconfig.json maps `vscode` here, so an import of it, or any
// use of what it would bring, fails to typecheck (test/unit/layer-fences.test.ts refuses even a
// bare `import 'vscode'`).
export {};
