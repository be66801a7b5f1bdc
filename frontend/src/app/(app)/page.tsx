import type { Metadata } from "next";
import { ScanForm } from "@/components/scan-form";
import { ScanHistory } from "@/components/scan-history";

export const metadata: Metadata = { title: "Dashboard" };

export default function DashboardPage() {
  return (
    <>
      <ScanForm />
      <ScanHistory />
    </>
  );
}
