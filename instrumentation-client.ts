import { z } from "zod";

// zod 4 probes for `new Function` (to compile fast parsers) the first time it parses an object.
// The pages' Content-Security-Policy has no 'unsafe-eval', so the probe fails quietly but the
// browser still reports it as a CSP violation; jitless skips the probe (the browser's forms
// validate a handful of fields, so nothing is lost). Runs before hydration.
z.config({ jitless: true });
