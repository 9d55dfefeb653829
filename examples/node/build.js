// The build step: src/ -> dist/ (a stand-in for a bundler or tsc).
const fs = require("fs");
fs.mkdirSync("dist", { recursive: true });
fs.copyFileSync("src/server.js", "dist/server.js");
