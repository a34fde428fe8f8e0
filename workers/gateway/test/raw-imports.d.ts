/** Fixture files imported as text with `?raw`, which Vite's transform serves inside workerd. */
declare module "*?raw" {
  const text: string;
  export default text;
}
