// The one error a feed document can earn: it is not a feed we can read, with
// a reason in plain words. Its own module so every parsing module can throw it.
export class FeedParseError extends Error {
  override name = "FeedParseError";
}
