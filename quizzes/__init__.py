"""Quizzes and exams: question banks, seeded draws, timed attempts (API.md, "Quizzes")."""
