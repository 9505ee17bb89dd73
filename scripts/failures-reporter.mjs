// A node:test reporter that writes one line per failed test (file, name, the first line of the error), so that the
// end of a long CI log can name what failed (.ci/run prints the file in its summary). Used by run-tests.mjs.
export default async function* failures(source) {
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { name, file, details } = event.data;
    // A suite fails because a test in it failed: that test has its own line.
    if (details?.type === 'suite') continue;
    const error = details?.error;
    const cause = error?.cause ?? error;
    const message = String(cause?.message ?? cause ?? '')
      .split('\n')[0]
      .slice(0, 300);
    yield `not ok  ${file ? `${file.replace(`${process.cwd()}/`, '')} › ` : ''}${name}: ${message}\n`;
  }
}
