// GET / answers "Hello Docker" on port 3000.
const http = require("http");
http.createServer((req, res) => res.end("Hello Docker")).listen(3000);
