/** Worker options for tests: workers load the package's TypeScript sources through tsHooks.mjs. */
export const tsWorkerOptions = {
  preload: [new URL('./tsRegister.mjs', import.meta.url)],
};
