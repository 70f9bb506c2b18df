// What the runner shares with the UI tests: the browser, the server's URL, the
// workspace folder and where screenshots go. Filled in before mocha loads the tests.
export const session = {
  /** @type {import('playwright-core').Browser | undefined} */
  browser: undefined,
  url: '',
  folder: '',
  results: '',
};
