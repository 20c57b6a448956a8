/** Shared by the Playwright config, the e2e server script and the specs. */
export const E2E = {
  port: Number(process.env.E2E_PORT ?? 3107),
  get baseUrl() {
    return `http://127.0.0.1:${this.port}`;
  },
  staff: { email: "staff@e2e.example.com", password: "staff-password-1" },
  /** Small, so the "too large" path needs no huge fixture. */
  maxUploadBytes: 2 * 1024 * 1024,
};
