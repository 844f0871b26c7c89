// A Markdown textarea with a Preview tab. The preview is rendered by the server
// (POST /api/v1/markdown/preview, cmark-gfm in safe mode), so what the author
// sees is exactly what is stored and shown to others, sanitised the same way.
import { useState, type KeyboardEvent, type Ref } from "react";
import { post } from "../api/client";

interface Props {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  rows?: number;
  invalid?: boolean;
  textareaRef?: Ref<HTMLTextAreaElement>;
  onKeyDown?: (e: KeyboardEvent<HTMLTextAreaElement>) => void;
  onInput?: () => void;
}

export function MarkdownEditor(props: Props) {
  const [tab, setTab] = useState<"write" | "preview">("write");
  const [html, setHtml] = useState<string>("");
  const [previewError, setPreviewError] = useState<string | null>(null);

  const showPreview = async () => {
    setTab("preview");
    setPreviewError(null);
    try {
      const result = await post<{ html: string }>("/markdown/preview", { body: props.value });
      setHtml(result.html);
    } catch (e) {
      setPreviewError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div className="md-editor">
      <div className="md-tabs" role="tablist">
        <label htmlFor={props.id} className="md-label">
          {props.label}
        </label>
        <button type="button" role="tab" aria-selected={tab === "write"} onClick={() => setTab("write")}>
          Write
        </button>
        <button type="button" role="tab" aria-selected={tab === "preview"} onClick={showPreview}>
          Preview
        </button>
      </div>
      {tab === "write" ? (
        <textarea
          id={props.id}
          ref={props.textareaRef}
          value={props.value}
          placeholder={props.placeholder}
          rows={props.rows ?? 6}
          aria-invalid={props.invalid || undefined}
          onChange={(e) => {
            props.onChange(e.target.value);
            props.onInput?.();
          }}
          onKeyDown={props.onKeyDown}
        />
      ) : previewError ? (
        <div className="md-preview state-error">{previewError}</div>
      ) : (
        // Server-rendered by cmark-gfm in safe mode: raw HTML and unsafe links removed.
        <div className="md-preview markdown" dangerouslySetInnerHTML={{ __html: html || "<p><em>Nothing to preview</em></p>" }} />
      )}
      <div className="md-hint">Markdown: **bold**, `code`, lists, tables, [links](https://…)</div>
    </div>
  );
}
