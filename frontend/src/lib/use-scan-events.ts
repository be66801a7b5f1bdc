"use client";

// Live progress of one scan from WS /api/scans/{id}/events. The server sends the current
// progress at once on every connection, so after a dropped connection a reconnect resumes
// exactly where the scan is; the last message is kept meanwhile so nothing on screen resets.
import { useEffect, useRef, useState } from "react";
import { TERMINAL, type ProgressMessage } from "@/api/types";
import { eventsUrl, refreshSession } from "./api";

export type Connection = "idle" | "connecting" | "live" | "reconnecting" | "ended";

const MAX_DELAY_MS = 15_000;

export function useScanEvents(
  scanId: string,
  active: boolean,
  onEnd: (last: ProgressMessage | null) => void,
): { progress: ProgressMessage | null; connection: Connection } {
  const [progress, setProgress] = useState<ProgressMessage | null>(null);
  const [connection, setConnection] = useState<Connection>("idle");
  const onEndRef = useRef(onEnd);
  useEffect(() => {
    onEndRef.current = onEnd;
  }, [onEnd]);

  useEffect(() => {
    if (!active) return;
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;
    let last: ProgressMessage | null = null;

    const connect = () => {
      setConnection(attempt === 0 ? "connecting" : "reconnecting");
      socket = new WebSocket(eventsUrl(scanId));
      socket.onopen = () => {
        attempt = 0;
        setConnection("live");
      };
      socket.onmessage = (event) => {
        try {
          const message = JSON.parse(String(event.data)) as ProgressMessage;
          last = message;
          // The estimate drops when the gap limit makes the scan derive more addresses; the
          // bar holds its furthest point instead of jumping back (the counts stay exact).
          setProgress((previous) => ({
            ...message,
            percent: Math.max(message.percent, previous && !TERMINAL.has(previous.status) ? previous.percent : 0),
          }));
        } catch {
          // A frame that is not a progress message changes nothing on screen.
        }
      };
      socket.onclose = () => {
        if (stopped) return;
        if (last && TERMINAL.has(last.status)) {
          setConnection("ended");
          onEndRef.current(last);
          return;
        }
        // Dropped before the end (gateway restart, network, expired session): try again
        // with a growing delay, refreshing the session first in case that was the cause.
        attempt += 1;
        setConnection("reconnecting");
        const delay = Math.min(MAX_DELAY_MS, 500 * 2 ** Math.min(attempt, 5));
        timer = setTimeout(async () => {
          if (attempt > 1) await refreshSession();
          if (!stopped) connect();
        }, delay);
      };
    };

    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      if (socket) {
        socket.onclose = null;
        socket.close();
      }
    };
  }, [scanId, active]);

  return { progress, connection };
}
