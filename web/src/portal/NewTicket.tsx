export default function NewTicket() {
  return <h1>NewTicket</h1>;
}
