// Counts o200k tokens (GPT-4o, GPT-4.1, o-series, GPT-5) with gpt-tokenizer, for the answer-size test.
// Usage: node tokens.mjs texts.json   where texts.json is {"name": "text", ...}; prints {"name": tokens, ...}
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import fs from "node:fs";

const texts = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const counts = {};
for (const [name, text] of Object.entries(texts)) {
  counts[name] = encode(text).length;
}
console.log(JSON.stringify(counts));
