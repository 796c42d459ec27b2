// Loads .env into process.env when the file exists (Next.js does this itself for dev/build/start).
// Variables that are already set win, so CI can pass them directly without any .env file.
import { existsSync } from "node:fs";

if (existsSync(".env")) process.loadEnvFile(".env");
