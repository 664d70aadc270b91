/**
 * Who is signed in. Kept in `sessionStorage` only: it dies with the tab, and the key never goes into
 * a URL (EventSource gets a short-lived stream token instead) nor a log.
 */
export interface Session {
  companyId: string;
  /** The company API key every request is made with. */
  key: string;
  /** Set when an admin signed in: the admin token, and the id of the key minted for this session. */
  admin?: { token: string; keyId: string };
}

const storageKey = "kiln.dashboard.session";

export const loadSession = (): Session | null => {
  const stored = sessionStorage.getItem(storageKey);
  if (!stored) return null;
  try {
    const parsed = JSON.parse(stored) as Partial<Session>;
    return typeof parsed.companyId === "string" && typeof parsed.key === "string"
      ? (parsed as Session)
      : null;
  } catch {
    return null;
  }
};

export const saveSession = (session: Session) => sessionStorage.setItem(storageKey, JSON.stringify(session));

export const clearSession = () => sessionStorage.removeItem(storageKey);
