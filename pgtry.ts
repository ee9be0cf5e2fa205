import { runPos, tempHome } from "./test/helpers/cli.ts";
import { startPostgres } from "./test/helpers/postgres.ts";
import { startServer } from "./test/helpers/server.ts";

const c = await startPostgres();
const url = await c.createDatabase("hq");
const home = tempHome("pgtry-");
try {
  const s = await startServer(home.home, ["--database", url]);
  console.log(s.output().stdout);
  let r = await runPos(["register", "provision", "SEA01-R1", "--sync"], { home: home.home });
  console.log("provision", r.code, r.stderr.slice(0, 500));
  r = await runPos(["--json", "sale", "--register", "SEA01-R1", "--staff", "000160", "--password", "1234"], {
    home: home.home,
    input: "1001\npay card\n917\n1001\n1001\npay card\nquit\n",
  });
  console.log("sale", r.code, r.stderr.slice(0, 300), r.stdout.slice(0, 1500));
  r = await runPos(["connect", "--register", "SEA01-R1"], { home: home.home });
  r = await runPos(["push", "--register", "SEA01-R1"], { home: home.home });
  console.log("push", r.code, r.stdout, r.stderr);
  r = await runPos(["cdx", "run", "9999"], { home: home.home });
  console.log("9999", r.code, r.stdout, r.stderr);
  r = await runPos(["cdx", "run", "P-0001"], { home: home.home });
  console.log("P", r.code, r.stdout, r.stderr);
  console.log(await c.query("SELECT id, total_minor FROM hq_transactions ORDER BY id", "hq"));
  r = await runPos(["status"], { home: home.home });
  console.log("status", r.code, r.stdout.slice(0, 800), r.stderr);
  await s.stop();
  console.log(s.output().stderr.slice(0, 1000));
} finally {
  home.remove();
  c.stop();
}
