import type { KilnClient } from "@kiln/client";
import { createContext, createElement, type ReactElement, type ReactNode, useContext } from "react";

const KilnContext = createContext<KilnClient | null>(null);

/** Makes a client (`createKilnClient`) available to the hooks below it. */
export const KilnProvider = ({
  client,
  children,
}: {
  client: KilnClient;
  children?: ReactNode;
}): ReactElement => createElement(KilnContext.Provider, { value: client }, children);

/** The client of the nearest `KilnProvider`. */
export const useKilnClient = (): KilnClient => {
  const client = useContext(KilnContext);
  if (!client) throw new Error("Kiln hooks need a <KilnProvider client={…}> above them");
  return client;
};
