export type QueryValues = Record<string, string | number | boolean | null | undefined>;

/**
 * The query string of an admin API request, each value percent-encoded; values that are null or undefined are left
 * out. Built here because `useFetchClient` serializes a `params` object with qs's `encode: false`: `#3` in a search
 * would end the URL's query there. A string `params` (or a path that already has its query) goes out as it is.
 */
export function queryString(values: QueryValues): string {
  const entries = Object.entries(values).flatMap(([key, value]): Array<[string, string]> =>
    value === null || value === undefined ? [] : [[key, String(value)]]
  );
  return new URLSearchParams(entries).toString();
}
