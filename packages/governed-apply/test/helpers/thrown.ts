/** The error `fn` throws (undefined when it returns): lets a test look at every field of it. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
