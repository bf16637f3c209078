/** A problem with the user's data (missing folder, unreadable image...): the message names the path. */
export class DataError extends Error {
  override name = 'DataError';
}
