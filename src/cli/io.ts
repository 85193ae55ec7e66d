// The CLI writes files the way every front end does (src/report/write.ts).
export { writeFileAtomic } from "../report/write";
