// Tests only: Paragon's Card as plain elements (the learner dashboard provides Paragon).
import React from 'react';

export function Card({ children, className }) {
  return <div className={`pgn__card ${className || ''}`}>{children}</div>;
}
Card.Section = function Section({ children }) {
  return <div className="pgn__card-section">{children}</div>;
};
