export const POSTHOG_KEY = "phc_7QwMblhJjgP6rGplHDb3oTi5UFVdAs0CEEkH3PXFpKU"; // public project key, safe in the browser
export const STRIPE_PK = import.meta.env.VITE_STRIPE_PUBLISHABLE_KEY;
export const SENTRY_RELEASE = "a37c184d19e98bdc4d332156d6ef520fc78ff77f";
export const CSP_NONCE_SEED = "__CSP_NONCE__"; // replaced at build time
export const API_BASE = "https://api.larkspur.app";
