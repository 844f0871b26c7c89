// /settings/tokens: the caller's personal API tokens. A new token's secret is
// shown once, right after it is created; the server keeps only its hash.
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { del, get, post } from "../api/client";
import { keys } from "../api/keys";
import type { Page, TokenInfo } from "../api/types";
import { TextField } from "../components/Field";
import { ListTable } from "../components/Table";
import { Empty, ErrorBanner, FormError, ListStates } from "../components/States";
import { absoluteTime } from "../components/format";
import "./pages.css";

interface IssuedToken {
  id: number;
  token: string;
  name: string;
  kind: string;
  created_at: string;
  expires_at: string | null;
}

function tokenState(t: TokenInfo, now: number): { label: string; className: string } {
  if (t.revoked_at) return { label: `Revoked ${absoluteTime(t.revoked_at)}`, className: "token-revoked" };
  if (t.expires_at && Date.parse(t.expires_at) <= now) return { label: "Expired", className: "token-expired" };
  return { label: "Active", className: "token-active" };
}

function NewTokenBox({ issued, onDone }: { issued: IssuedToken; onDone: () => void }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.token);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  };
  return (
    <div className="new-token" data-testid="new-token" role="region" aria-label="New token">
      <p className="new-token-title">Token “{issued.name}” created</p>
      <p className="new-token-warning">Copy it now. For your security it will not be shown again.</p>
      <div className="new-token-secret">
        <code data-testid="new-token-secret">{issued.token}</code>
        <button type="button" onClick={copy}>
          {copied === "yes" ? "Copied" : "Copy"}
        </button>
      </div>
      {copied === "failed" && <p className="muted">Copying is not available here; select the token and copy it by hand.</p>}
      <p className="muted">
        Use it as <code>Authorization: Bearer …</code>.{" "}
        {issued.expires_at ? `It expires ${absoluteTime(issued.expires_at)}.` : "It does not expire."}
      </p>
      <button type="button" className="link-button" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}

export default function Tokens() {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [days, setDays] = useState("90");
  const [issued, setIssued] = useState<IssuedToken | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);

  const tokens = useQuery({
    queryKey: keys.tokens,
    queryFn: async () => (await get<Page<TokenInfo>>("/tokens")).items,
  });

  const create = useMutation({
    mutationFn: (body: { name: string; expires_in_days?: number }) => post<IssuedToken>("/tokens", body),
    onSuccess: (t) => {
      setIssued(t);
      setName("");
      client.invalidateQueries({ queryKey: keys.tokens });
    },
  });

  const revoke = useMutation({
    mutationFn: (id: number) => del<void>(`/tokens/${id}`),
    onSuccess: () => {
      setConfirming(null);
      client.invalidateQueries({ queryKey: keys.tokens });
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (create.isPending) return;
    const body: { name: string; expires_in_days?: number } = { name: name.trim() };
    const n = Number(days);
    if (days.trim() !== "" && Number.isFinite(n)) body.expires_in_days = Math.trunc(n);
    create.mutate(body);
  };

  const now = Date.now();

  return (
    <div className="page-narrow">
      <h1>API tokens</h1>
      <p className="muted">
        Personal tokens let scripts call the opsdesk API as you, with your permissions. Revoke any token you no longer use.
      </p>

      {issued && <NewTokenBox issued={issued} onDone={() => setIssued(null)} />}

      <form className="panel token-form" onSubmit={submit} noValidate>
        <h2>New token</h2>
        <FormError error={create.error} />
        <div className="token-form-row">
          <TextField
            id="token-name"
            label="Name"
            placeholder="e.g. nightly export"
            value={name}
            onChange={setName}
            error={create.error}
            field="name"
          />
          <TextField
            id="token-days"
            label="Expires after (days)"
            type="number"
            min={0}
            max={3650}
            value={days}
            onChange={setDays}
            error={create.error}
            field="expires_in_days"
            help="0 or empty: never expires"
          />
        </div>
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create token"}
        </button>
      </form>

      <h2>Your tokens</h2>
      <ErrorBanner error={revoke.error} />
      <ListStates
        pending={tokens.isPending}
        items={tokens.data}
        error={tokens.error}
        empty={
          <Empty title="No API tokens yet">
            <p className="muted">Create one above to use the API from scripts.</p>
          </Empty>
        }
      >
        {(list) => (
          <ListTable
            className="tokens-table"
            head={
              <>
                <th>Name</th>
                <th className="tokens-hide-narrow">Kind</th>
                <th className="tokens-hide-narrow">Created</th>
                <th>Expires</th>
                <th>Status</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </>
            }
          >
            {list.map((t) => {
              const state = tokenState(t, now);
              return (
                <tr key={t.id} data-testid="token-row" data-token-id={t.id}>
                  <td>{t.name}</td>
                  <td className="tokens-hide-narrow">{t.kind}</td>
                  <td className="tokens-hide-narrow">{absoluteTime(t.created_at)}</td>
                  <td>{t.expires_at ? absoluteTime(t.expires_at) : "Never"}</td>
                  <td className={state.className}>{state.label}</td>
                  <td className="token-actions">
                    {t.revoked_at ? null : confirming === t.id ? (
                      <span className="confirm">
                        <span>Revoke “{t.name}”?</span>
                        <button
                          type="button"
                          className="danger"
                          onClick={() => revoke.mutate(t.id)}
                          disabled={revoke.isPending}
                        >
                          Yes, revoke
                        </button>
                        <button type="button" onClick={() => setConfirming(null)}>
                          Cancel
                        </button>
                      </span>
                    ) : (
                      <button type="button" className="danger" onClick={() => setConfirming(t.id)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </ListTable>
        )}
      </ListStates>
    </div>
  );
}
