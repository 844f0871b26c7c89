export default function PortalTicket() {
  return <h1>PortalTicket</h1>;
}
