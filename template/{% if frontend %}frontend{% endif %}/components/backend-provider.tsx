"use client";

import { createContext, useContext, useMemo, type ReactNode } from "react";

import { createApi, type Api } from "@/lib/api";

const BackendContext = createContext<string | null>(null);

/** Hands the backend URL, read by the server at request time, to client components. */
export function BackendProvider({ url, children }: { url: string; children: ReactNode }) {
  return <BackendContext.Provider value={url}>{children}</BackendContext.Provider>;
}

/** The task API client for the configured backend. */
export function useApi(): Api {
  const url = useContext(BackendContext);
  if (url === null) throw new Error("useApi() must be used inside <BackendProvider>");
  return useMemo(() => createApi(url), [url]);
}
