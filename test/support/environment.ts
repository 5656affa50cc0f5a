// Environment variables for a test: set some aside (saved, then removed) and give them back after.
// Imports nothing, like the rest of test/support/.

/**
 * Saves and removes the named variables, then sets `values`; returns the function that puts every
 * named (and set) variable back as it was.
 */
export function setAsideEnv(names: readonly string[], values: Record<string, string> = {}): () => void {
  const all = [...new Set([...names, ...Object.keys(values)])];
  const saved = new Map(all.map((name) => [name, process.env[name]]));
  for (const name of all) {
    delete process.env[name];
  }
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  };
}
