import type { Metadata } from "next";

import { CheckInbox } from "@/components/email-forms";

export const metadata: Metadata = { title: "Check your inbox" };

export default function CheckInboxPage() {
  return <CheckInbox />;
}
