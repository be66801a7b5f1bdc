import { SessionGate } from "@/components/session";

export default function AppLayout({ children }: { children: React.ReactNode }) {
  return <SessionGate>{children}</SessionGate>;
}
