import posthog from "posthog-js";
import * as Sentry from "@sentry/nextjs";

const POSTHOG_KEY = "phc_ew7UeyU0rBYdeMLVvdCBk4In7QA1qXZp6z4tlNzsVAQ"; // project API key, write-only, meant for browsers

export function initAnalytics() {
  posthog.init(POSTHOG_KEY, { api_host: "https://eu.i.posthog.com", person_profiles: "identified_only" });
  Sentry.init({
    dsn: "https://d00cd222a91ef4ab91a265b07cdac73d@o2785146.ingest.us.sentry.io/1148202",
    tracesSampleRate: 0.1,
  });
}
