export default function AgentTicket() {
  return <h1>AgentTicket</h1>;
}
