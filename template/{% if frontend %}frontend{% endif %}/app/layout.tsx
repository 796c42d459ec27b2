import type { Metadata } from "next";
import type { ReactNode } from "react";

import { BackendProvider } from "@/components/backend-provider";
import { PROJECT_NAME } from "@/lib/project";
import { backendUrl } from "@/lib/backend-url";

import "./globals.css";

// Rendered per request, so BACKEND_URL is read when the server runs, not when it is built.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: PROJECT_NAME };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <BackendProvider url={backendUrl()}>{children}</BackendProvider>
      </body>
    </html>
  );
}
