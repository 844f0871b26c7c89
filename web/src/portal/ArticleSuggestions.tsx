// Issue 6 boundary: knowledge-base article suggestions while a requester types a
// new ticket. NewTicket renders this with the current subject and description;
// it renders nothing until Issue 6 fills it in (it may fetch, debounce and show
// a list of articles here without touching NewTicket).
export interface ArticleSuggestionsProps {
  subject: string;
  body: string;
}

export function ArticleSuggestions(_props: ArticleSuggestionsProps) {
  return null;
}
