// jest globalSetup of the suites that touch a database: says which legs run, so a CI log shows
// whether the PostgreSQL leg ran or only the embedded one.
module.exports = async () => {
  const url = process.env.TEST_DATABASE_URL;
  const where = url ? url.replace(/(:\/\/[^:/@]*:)[^@]*@/, '$1***@') : '';
  process.stdout.write(
    url
      ? `\n[autopack] database legs: PGlite (embedded) + PostgreSQL (${where})\n`
      : '\n[autopack] database legs: PGlite (embedded) only; set TEST_DATABASE_URL to add the PostgreSQL leg\n',
  );
};
